"""The CDK app (DESIGN.md §6): built from functions/manifest.py; its stacks come with the infrastructure issue."""
