"""An institution's exchange node: answers the three questions over its own records and signs its answer."""
