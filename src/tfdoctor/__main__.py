from tfdoctor.cli import entry

entry()
