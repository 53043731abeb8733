"""Model families. Each folder holds exactly the files a saved model carries for `trust_remote_code=True`."""
