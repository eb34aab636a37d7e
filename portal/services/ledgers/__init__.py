"""The four ledgers of seed 001: their columns and writers, exports in a child process, and 导入台账."""
