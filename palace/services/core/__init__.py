"""Infrastructure every domain uses: time, text, coded errors, transactions, audit."""
