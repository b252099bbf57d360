"""红旗 and 蜗牛: the best and the worst projects of a quarter, drafted, reviewed and published with their reasons."""
