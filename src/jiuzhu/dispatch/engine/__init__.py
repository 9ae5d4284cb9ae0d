"""The dispatch centre's pure computation: numpy/scipy, no Django (like ``assessment/engine``).

``matching`` assigns every waiting order to an eligible provider at once, within capacities
(docs/dispatch-matching.md). ``tests/test_layering.py`` proves nothing here imports Django.
"""
