"""The `recouvre` command line (shared/spec/cli.md): a thin interface over the domain services."""
