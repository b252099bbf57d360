"""The scheduler process: runs the weekly, monthly and quarterly cycles and delivers their mail."""
