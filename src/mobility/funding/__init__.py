"""Funding: which programmes can pay for a placement, and roughly how much."""
