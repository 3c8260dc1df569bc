"""The review server: clinicians sign off in a browser (see README, "Review server")."""
