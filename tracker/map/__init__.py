"""地图: every project with coordinates as a pin coloured by its warning light."""
