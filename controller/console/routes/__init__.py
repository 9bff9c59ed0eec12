"""One router per area of the console API: session, status, actions, events, stream, page."""
