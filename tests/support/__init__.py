"""What the tests share: the backend matrix, the lazy harness, the mpmath oracle, the table
of losses, the assertions and the hypothesis strategies. Nothing here is a test."""
