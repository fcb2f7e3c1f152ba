"""mobility: placements abroad for vocational apprentices."""

__version__ = "0.1.0"
