"""One subpackage per vendor API; each exposes ``PLUGIN`` (see ``mockserver.plugin``)."""
