"""Open Referral HSDS 3.0 service directory: organisations, services, locations, taxonomy."""
