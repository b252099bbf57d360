"""加减分: points for and against departments and counties per quarter, with the item behind every point."""
