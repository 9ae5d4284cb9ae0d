"""The assistance cloud supermarket (救助云超市): providers, orders and their delivery."""
