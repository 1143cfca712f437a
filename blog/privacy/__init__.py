"""Blueprint: "Download my data" on the account page."""
