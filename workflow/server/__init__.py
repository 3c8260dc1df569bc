"""The review server: clinicians review, approve, reject and edit translations in a browser (``locum review serve``)."""
