"""ActionLens's bundled files (the default model bundle and the demo clip), installed as the
package `actionlens_assets` so `importlib.resources` finds them in a wheel, pipx or editable install."""
