"""In-app notifications for a company's users."""
