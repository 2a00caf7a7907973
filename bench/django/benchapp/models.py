"""`a` <- `b` (`data`: JSON text of about 4 KB) <- `c`: the tables `deletable-bench` fills, which
Django neither creates nor migrates."""

from django.db import models


class A(models.Model):
    class Meta:
        db_table = "a"
        managed = False


class B(models.Model):
    a = models.ForeignKey(A, on_delete=models.CASCADE, db_column="a_id")
    data = models.TextField()

    class Meta:
        db_table = "b"
        managed = False


class C(models.Model):
    b = models.ForeignKey(B, on_delete=models.CASCADE, db_column="b_id")

    class Meta:
        db_table = "c"
        managed = False
