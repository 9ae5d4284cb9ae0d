"""The dispatch centre (智慧救助调度中心): "every request answered, every order taken".

``dispatch.engine.matching`` is the pure assignment engine (numpy/scipy, no Django): it matches all
waiting orders to eligible providers at once, within their capacities. See
docs/dispatch-matching.md.
"""
