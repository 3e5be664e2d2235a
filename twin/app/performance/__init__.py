"""The performance evaluation page (/performance, 绩效评估)."""
