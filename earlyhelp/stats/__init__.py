"""Statistics every published figure shares: group rates, intervals, disclosure control.

The model card, the evaluation, the fairness audit and the board's report all count groups,
put intervals on rates and suppress small numbers through these modules, so a rate has one
name, a missing group one label, and no output can reveal what another protects.
"""
