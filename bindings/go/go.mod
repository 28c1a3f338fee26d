module waitgroup.example/waitgroup

go 1.19
