"""Forms of the certificate pages, one module per group of views: parse and label input;
the rules live in the services."""
