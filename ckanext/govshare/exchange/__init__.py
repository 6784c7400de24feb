"""Batch exchange (批量交换, 2025 Regulations art. 22; 前置机, 2016 Measures art. 12): a
department's exchange targets, subscriptions of granted resources to them, and their runs."""
