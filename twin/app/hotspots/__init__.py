"""The hotspot page (/hotspots): layout, callbacks and the pure view functions behind them."""
