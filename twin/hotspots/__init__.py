"""Hotspots: filters, units of analysis, spatial weights, Getis-Ord Gi*, FDR and classes."""
