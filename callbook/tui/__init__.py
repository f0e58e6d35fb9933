"""The Textual shell: the only package that imports Textual."""
