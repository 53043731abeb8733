"""The three ULMFiT stages (general-domain LM, target-task LM, classifier) over local files or Hub datasets, as
the scripts in `examples/` run them."""
