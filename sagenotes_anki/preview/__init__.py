"""Preview: one HTML page with every card, through the subset of Anki's templates cards use."""
