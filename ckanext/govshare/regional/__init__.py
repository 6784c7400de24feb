"""Data return (数据回流, 2025 Regulations art. 24): upper-level entries returned to the
lower-level departments of their region, each limited to the rows of its own region."""
