"""Repairs: installer idioms, planning and applying fixes."""
