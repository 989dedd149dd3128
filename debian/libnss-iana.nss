# After /etc/services (files, db): the registry only fills the gaps.
services last iana
