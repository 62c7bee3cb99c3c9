"""Parser shortcuts: mistune's tokens for plain blocks, lists and inline text, made faster."""
