"""ContentHub shared domain code, deployed as a Lambda layer and installed editable for local use."""
