"""OpenRosa server for ODK Collect / KoboCollect (form list, downloads, submissions) and device authentication."""
