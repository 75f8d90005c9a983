"""The pure protocol: layers as init/apply over variable pytrees, and the routing scope."""
