"""`twin bench`: the store, the loaders and the dashboard measured beside naive alternatives."""
