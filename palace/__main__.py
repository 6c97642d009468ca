from palace.cli import main

main()
