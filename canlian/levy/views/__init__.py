"""Employment security fund pages, by page group: employers, entering a declaration, the
declaration page with its verification, the verification result, and the yearly collection list.

Views parse input, check access and call the services; the rules live in levy.services and
levy.formula. Every page checks the permission first (403), then looks the record up in the
user's scope (404), so a URL reveals nothing outside it."""
