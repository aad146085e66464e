"""Shared HTTP runtime of relaygen-generated clients (copied verbatim, do not edit)."""
