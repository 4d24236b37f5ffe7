"""The learned classifier's training side: the corpus, the features, training and evaluation."""
