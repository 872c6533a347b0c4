"""Human-readable reports: run summary and the privacy report (counts only, never values)."""
