"""One module per use case: each takes its collaborators and an explicit `now`."""
