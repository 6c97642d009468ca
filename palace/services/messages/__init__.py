"""Messages to members: notifications, their texts, the inbox, reminders, channels."""
