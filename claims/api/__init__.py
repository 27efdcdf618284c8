"""The REST API, version 1: a thin layer over claims.services, claims.workflow
and claims.selectors. It adds no business rules of its own."""
