"""一屏统览: the big screen for the meeting room, and the read-only display links that open it."""
