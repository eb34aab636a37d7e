"""A demand's life: intake (open_demand), dispatching, handling, rating, verification, the hash-chained
timeline, what a viewer sees of one demand and the lists and queues."""
