"""Certificate pages, one module per group: applications, their steps, holders, prints,
tours, supervision checks and institutions."""
